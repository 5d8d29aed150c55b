import {
  Controller,
  DynamicModule,
  Get,
  Injectable,
  Module,
  Param,
  ParseUUIDPipe,
} from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { Cacheable } from '../../src/cache';
import { ProductDto } from '../../src/products/dto/product.dto';
import { ProductEntity } from '../../src/products/product.entity';

/** The README's "Caching your own module" example as written, on the products table. */
@Injectable()
class ExampleService {
  constructor(
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
  ) {}

  @Cacheable({
    name: 'example',
    key: (id: string) => id,
    ttl: 3600,
  })
  async findById(id: string): Promise<ProductDto> {
    const product = await this.products.findOneByOrFail({ id });
    return ProductDto.from(product);
  }
}

@Controller('readme-example')
class ExampleController {
  constructor(private readonly example: ExampleService) {}

  @Get(':id')
  findOne(@Param('id', ParseUUIDPipe) id: string): Promise<ProductDto> {
    return this.example.findById(id);
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([ProductEntity])],
  controllers: [ExampleController],
  providers: [ExampleService],
})
class ExampleModule {}

@Module({})
class ExampleHostModule {}

/** The service with the README example added, as a user of the starter would add a feature. */
export function withReadmeCacheExample(env: Record<string, string>): DynamicModule {
  return { module: ExampleHostModule, imports: [AppModule.forRoot(env), ExampleModule] };
}
