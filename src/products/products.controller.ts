import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Page } from '../common/dto/page';
import { IdParam } from '../common/ids/id-param.decorator';
import { PageResponse } from '../common/dto/page-response';
import { Roles } from '../session/roles.decorator';
import { CreateProductDto } from './dto/create-product.dto';
import { ProductDto } from './dto/product.dto';
import { ProductQueryDto } from './dto/product-query.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductsService } from './products.service';

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @ApiOkResponse({ type: PageResponse(ProductDto) })
  @ApiBadRequestResponse({ description: 'Invalid filter, sort or paging' })
  list(@Query() query: ProductQueryDto): Promise<Page<ProductDto>> {
    return this.products.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse()
  findOne(@IdParam() id: string): Promise<ProductDto> {
    return this.products.findById(id);
  }

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: ProductDto })
  @ApiBadRequestResponse()
  create(@Body() dto: CreateProductDto): Promise<ProductDto> {
    return this.products.create(dto);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: ProductDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  update(@IdParam() id: string, @Body() dto: UpdateProductDto): Promise<ProductDto> {
    return this.products.update(id, dto);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@IdParam() id: string): Promise<void> {
    return this.products.remove(id);
  }
}
