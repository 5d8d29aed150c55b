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
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Page } from '../common/dto/page';
import { IdParam } from '../common/ids/id-param.decorator';
import { PageResponse } from '../common/dto/page-response';
import { Roles } from '../session/roles.decorator';
import { CreateProductDto } from './dto/create-product.dto';
import { ProductDto } from './dto/product.dto';
import { ProductQueryDto } from './dto/product-query.dto';
import { TrendingDto } from './dto/trending.dto';
import { TrendingQueryDto } from './dto/trending-query.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductViews } from './product-views';
import { ProductsService } from './products.service';
import { TrendingService } from './trending.service';

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly trendingProducts: TrendingService,
    private readonly views: ProductViews,
  ) {}

  @Get()
  @ApiOkResponse({ type: PageResponse(ProductDto) })
  @ApiBadRequestResponse({ description: 'Invalid filter, sort or paging' })
  list(@Query() query: ProductQueryDto): Promise<Page<ProductDto>> {
    return this.products.list(query);
  }

  /** Declared before `:id`, which it must not be taken for. */
  @Get('trending')
  @ApiOperation({
    summary: 'The most viewed products of a window',
    description:
      'A view is a GET /products/:id answered 200 on any instance. Views show up within about a ' +
      'second plus the answer cache (CACHE_TTL_TRENDING_S). 1h counts whole minutes, 24h and 7d ' +
      'whole hours. Ordered by views desc, then id asc.',
  })
  @ApiOkResponse({ type: TrendingDto })
  @ApiBadRequestResponse({
    description: 'Unknown window, limit outside 1 to 50, or unknown parameter',
  })
  trending(@Query() query: TrendingQueryDto): Promise<TrendingDto> {
    return this.trendingProducts.trending(query.window, query.limit);
  }

  /**
   * Each GET answered 200 counts one view of the product (in process; no extra Redis call). Fastify
   * also routes HEAD here, which is not a view.
   */
  @Get(':id')
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse()
  async findOne(@IdParam() id: string, @Req() request: FastifyRequest): Promise<ProductDto> {
    const product = await this.products.findById(id);
    if (request.method === 'GET') this.views.record(product.id);
    return product;
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
